"""Runs a command on a pseudo-terminal and bridges it to pipes, for tests that need a real
terminal: bytes on this process's stdin are typed into the terminal, and everything the
program writes to the terminal comes out on this process's stdout, unchanged. Exits with the
program's exit status once the program has exited and its output is drained.

usage: pty-bridge.py COLUMNS ROWS COMMAND [ARGS...]
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def main():
    columns, rows, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    pid, master = pty.fork()
    if pid == 0:
        # Size the terminal before the program starts, so it never sees another size.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, columns, 0, 0))
        os.execvp(argv[0], argv)
    stdin_open = True
    while True:
        readers = [master] + ([0] if stdin_open else [])
        ready, _, _ = select.select(readers, [], [])
        if 0 in ready:
            data = os.read(0, 4096)
            if data:
                os.write(master, data)
            else:
                stdin_open = False
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the program closed the terminal (it exited)
                data = b''
            if not data:
                break
            os.write(1, data)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status >> 8)


main()

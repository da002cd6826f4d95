/** Config errors: shared by the zoo.cfg reader and the properties parser. */

/** A zoo.cfg (or myid) problem the operator must fix; the message names file:line and key. */
export class ConfigError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly key?: string;

  constructor(detail: string, where: { file?: string; line?: number; key?: string } = {}) {
    const place = where.file === undefined ? '' : where.line === undefined ? `${where.file}: ` : `${where.file}:${where.line}: `;
    super(`${place}${where.key === undefined ? '' : `${where.key}: `}${detail}`);
    this.name = 'ConfigError';
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.key !== undefined) this.key = where.key;
  }
}

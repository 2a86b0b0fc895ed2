export class ServiceStatusDto {
  /** @example dreamseed-platform-api */
  service!: string;
  /** @example 0.1.0 */
  version!: string;
  /** @example v1 */
  api_version!: string;
  /** @example 2026-11-24T10:00:00.000Z */
  time!: string;
}

import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export type IdPrefix =
  | 'prod'
  | 'price'
  | 'cus'
  | 'cs_test'
  | 'sub'
  | 'si'
  | 'in'
  | 'il'
  | 'inpay'
  | 'pi'
  | 'ch'
  | 'bps'
  | 'evt'
  | 'req';

export function newId(prefix: IdPrefix): string {
  let suffix = '';
  for (let i = 0; i < 24; i += 1) {
    suffix += BASE62[randomInt(BASE62.length)];
  }
  return `${prefix}_${suffix}`;
}

import { google } from './google.provider.js';
import { kakao } from './kakao.provider.js';
import { microsoft } from './microsoft.provider.js';
import { naver } from './naver.provider.js';
import type { ProviderDefinition } from './provider-definition.js';

/** The sign-in providers, in the order a sign-in page shows them. */
export const PROVIDER_DEFINITIONS: readonly ProviderDefinition[] = [
  google,
  kakao,
  naver,
  microsoft,
];

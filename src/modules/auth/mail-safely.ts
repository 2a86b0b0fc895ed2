import type { Logger } from '@nestjs/common';

/** The change is committed; a queue hiccup must not turn it into an error (resend exists). */
export async function mailSafely(logger: Logger, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    logger.error({ err: error }, 'could not queue an account mail');
  }
}

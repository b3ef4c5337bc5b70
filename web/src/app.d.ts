// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    /** What +error.svelte shows: the API problem's title as `message`, and its stable code. */
    interface Error {
      message: string;
      code: string;
      detail?: string;
    }
    interface Locals {
      locale: import('$lib/i18n/locale.ts').Locale;
    }
    /** adapter-node hands every request's Node message to hooks as `platform.req`. */
    interface Platform {
      req?: import('node:http').IncomingMessage;
    }
  }
}

export {};

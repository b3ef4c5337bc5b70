import type { LayoutServerLoad } from './$types';

/** Hands the server's language choice to the client so hydration renders the same text. */
export const load: LayoutServerLoad = ({ locals }) => ({ locale: locals.locale });

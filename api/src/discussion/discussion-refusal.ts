import { DiscussionError } from '@binge/core/discussion/discussion-error';
import { AppError } from '../errors/app-error.ts';

/** The discussion stores' refusals are API error codes; anything else is a bug and a 500. */
export async function refusalsAsProblems<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DiscussionError) throw new AppError(error.code, error.message);
    throw error;
  }
}

import { InvalidStorageKeyError, type Storage } from '@binge/core/storage';
import { SERVING_FEATURES } from '../features/spec.ts';
import { ModelArtifactError, RankerModel } from './ranker-model.ts';

/**
 * Versioned model artifacts in object storage: `models/ranker/<version>/meta.json` (ModelMeta as
 * JSON) and `weights.bin` (every weight tensor as one little-endian float32 blob, in the order of
 * meta.shapes). The weights are written first and the metadata last, so a reader that finds
 * meta.json finds a complete artifact (each put is atomic on its own).
 */
export const MODEL_ARTIFACT_ROOT = 'models/ranker';
export const META_FILE = 'meta.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Larger files are refused before they are read: no model of ours comes near these. */
const MAX_META_BYTES = 1024 * 1024;
const MAX_WEIGHTS_BYTES = 64 * 1024 * 1024;

/** Versions become storage keys and database keys: a conservative alphabet. */
const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isModelVersion(version: string): boolean {
  return VERSION_PATTERN.test(version);
}

export function modelArtifactKey(version: string): string {
  if (!isModelVersion(version))
    throw new ModelArtifactError(`model version ${JSON.stringify(version)} is not a valid name`);
  return `${MODEL_ARTIFACT_ROOT}/${version}`;
}

/** Writes the model's artifact and returns its prefix key (`models/ranker/<version>`). */
export async function saveModelArtifact(storage: Storage, model: RankerModel): Promise<string> {
  const key = modelArtifactKey(model.version);
  const { meta, weights } = model.serialize();
  await storage.put(
    `${key}/${WEIGHTS_FILE}`,
    Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength),
  );
  await storage.put(`${key}/${META_FILE}`, Buffer.from(JSON.stringify(meta)));
  return key;
}

async function readPart(storage: Storage, key: string, limit: number): Promise<Buffer> {
  let info;
  try {
    info = await storage.stat(key);
  } catch (error) {
    // An invalid key (a storage_key column edited by hand) is the artifact's fault, not an outage.
    if (error instanceof InvalidStorageKeyError)
      throw new ModelArtifactError(`${key}: ${error.message}`);
    throw error;
  }
  if (!info) throw new ModelArtifactError(`${key} is missing`);
  if (info.size > limit)
    throw new ModelArtifactError(`${key} holds ${info.size} bytes, more than ${limit}`);
  try {
    return await storage.readBuffer(key);
  } catch (error) {
    // Deleted between stat and read: as missing as before.
    if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT')
      throw new ModelArtifactError(`${key} is missing`);
    throw error;
  }
}

/**
 * The artifact is sound but was trained on another feature list than this process serves: during
 * a rolling deploy that changes SERVING_FEATURES, old and new processes each refuse the other's
 * models. Not a corrupt artifact, so the registry does not mark it so.
 */
export class ModelFeaturesError extends ModelArtifactError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFeaturesError';
  }
}

export interface LoadArtifactOptions {
  /**
   * The feature list the caller will feed the model; an artifact trained on another list is
   * refused. Serving's SERVING_FEATURES by default; the offline evaluation passes its own.
   */
  featureNames?: readonly string[];
}

/**
 * Reads and checks the artifact under `key` (as saveModelArtifact returned it). Anything wrong
 * with the artifact itself (a missing file, JSON that does not parse, sizes that do not fit the
 * shapes, NaN or infinite values, a feature list other than the expected one) throws
 * ModelArtifactError; a storage outage throws the storage's own error, so callers can tell a bad
 * model from a passing failure.
 */
export async function loadModelArtifact(
  storage: Storage,
  key: string,
  options: LoadArtifactOptions = {},
): Promise<RankerModel> {
  const prefix = key.endsWith('/') ? key.slice(0, -1) : key;
  const metaBytes = await readPart(storage, `${prefix}/${META_FILE}`, MAX_META_BYTES);
  let meta: unknown;
  try {
    meta = JSON.parse(metaBytes.toString('utf8'));
  } catch (error) {
    throw new ModelArtifactError(`${prefix}/${META_FILE} is not JSON: ${(error as Error).message}`);
  }
  const expected = options.featureNames ?? SERVING_FEATURES;
  const names = (meta as { featureNames?: unknown } | null)?.featureNames;
  if (
    !Array.isArray(names) ||
    names.length !== expected.length ||
    names.some((name, i) => name !== expected[i])
  )
    throw new ModelFeaturesError(
      `${prefix}: the model was trained on other features than the ${expected.length} served now`,
    );
  const weights = await readPart(storage, `${prefix}/${WEIGHTS_FILE}`, MAX_WEIGHTS_BYTES);
  try {
    return RankerModel.fromArtifact(meta, weights);
  } catch (error) {
    if (error instanceof ModelArtifactError)
      throw new ModelArtifactError(`${prefix}: ${error.message}`);
    throw error;
  }
}

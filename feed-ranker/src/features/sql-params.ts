import { sql, type SQL } from 'drizzle-orm';

/**
 * Collections as one bound parameter each. Drizzle expands a JavaScript array into one parameter
 * per element (`$1, $2, …`), which makes statement text vary with the batch size and runs into
 * the 65,535-parameter limit on big batches; these pass the whole collection as a single text
 * parameter and cast it on the server, the same on PGlite and node-postgres.
 */

/** An `int[]` of ids (each checked to be a 32-bit integer, so the literal is well formed). */
export function intArray(ids: Iterable<number>): SQL {
  const list: number[] = [];
  for (const id of ids) {
    if (!Number.isInteger(id) || id < -2_147_483_648 || id > 2_147_483_647)
      throw new RangeError(`not an int4 id: ${String(id)}`);
    list.push(id);
  }
  return sql`${`{${list.join(',')}}`}::int[]`;
}

/** A `text[]` (through JSON, so no value needs array-literal quoting). */
export function textArray(values: Iterable<string>): SQL {
  return sql`array(select jsonb_array_elements_text(${JSON.stringify([...values])}::jsonb))`;
}

/** Rows for `jsonb_to_recordset(…) as v(column type, …)`. */
export function jsonRows(rows: readonly object[]): SQL {
  return sql`${JSON.stringify(rows)}::jsonb`;
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
export async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

/**
 * Runs `query` and returns its rows as tuples of `columns`, sent back as one JSON value
 * (`json_agg` of arrays) instead of a result set. A page's few hundred rows of a dozen columns
 * cost PGlite about twice as long as rows (each value of a result set is converted on its own),
 * and save PostgreSQL's wire protocol a little too. Numbers and booleans keep their JSON types;
 * a timestamp should be selected as epoch milliseconds.
 */
export async function selectTuples<T extends unknown[]>(
  db: { execute: (query: SQL) => Promise<unknown> },
  query: SQL,
  columns: readonly string[],
): Promise<T[]> {
  for (const column of columns)
    if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new RangeError(`not a column name: ${column}`);
  const [row] = await rowsOf<{ t: T[] | string | null }>(
    db.execute(sql`select coalesce(json_agg(json_build_array(${sql.raw(columns.join(', '))})),
        '[]'::json) as t
      from (${query}) q`),
  );
  const tuples = row?.t ?? [];
  return typeof tuples === 'string' ? (JSON.parse(tuples) as T[]) : tuples;
}

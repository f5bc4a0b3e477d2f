/** Passes chunks through, reporting each one's length (progress without another copy). */
export async function* countBytes(source: AsyncIterable<unknown> | Iterable<unknown>, onBytes?: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onBytes?.((chunk as Uint8Array).length);
    yield chunk as Uint8Array;
  }
}

/**
 * A small bounded map that forgets its least recently used entry first: the store uses it to
 * remember the last record it built for each key id, so that an unchanged key is served as the
 * same object (core's per-record caches stay warm) while a changed one is a new object.
 */

/** A Map used as an LRU: iteration order is recency, oldest first. */
export class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

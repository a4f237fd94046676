import type { FileSystem } from '../../../shared/io/file-system';

/** The last few input folders, newest first, persisted as a small JSON file (atomic replace). */
export class RecentFolders {
  private items: string[] = [];

  constructor(
    private readonly fs: FileSystem,
    private readonly file: string | null,
    private readonly max = 10,
  ) {}

  async load(): Promise<void> {
    if (this.file === null || !(await this.fs.exists(this.file))) return;
    try {
      const parsed: unknown = JSON.parse(await this.fs.readText(this.file));
      if (Array.isArray(parsed)) this.items = parsed.filter((x): x is string => typeof x === 'string').slice(0, this.max);
    } catch {
      // A damaged list is not worth an error dialog; it starts over.
      this.items = [];
    }
  }

  list(): string[] {
    return [...this.items];
  }

  async add(dir: string): Promise<void> {
    this.items = [dir, ...this.items.filter((d) => d !== dir)].slice(0, this.max);
    if (this.file === null) return;
    await this.fs.mkdirp(this.fs.dirname(this.file));
    await this.fs.writeFileAtomic(this.file, JSON.stringify(this.items, null, 2));
  }
}

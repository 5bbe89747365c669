import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentTypeOf, PublicFiles } from './public-files.js';

describe('PublicFiles', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'chat-public-'));
    await mkdir(join(directory, 'img'));
    await writeFile(join(directory, 'index.html'), '<!doctype html>');
    await writeFile(join(directory, 'img', 'logo.svg'), '<svg/>');
    await writeFile(join(directory, 'notes.xyz'), 'x');
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('loads the files of the directory by name, not those of its subfolders', async () => {
    const files = new PublicFiles(directory);
    await files.onModuleInit();
    expect(files.paths.sort()).toEqual(['index.html', 'notes.xyz']);
    expect(files.get('index.html')).toMatchObject({
      body: Buffer.from('<!doctype html>'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(files.get('notes.xyz')?.contentType).toBe('application/octet-stream');
    expect(files.get('img/logo.svg')).toBeUndefined();
    expect(files.get('../index.html')).toBeUndefined();
  });

  it('finds every file the shipped page refers to', async () => {
    const files = new PublicFiles();
    await files.onModuleInit();
    const page = files.get('index.html')?.body.toString() ?? '';
    const referred = [...page.matchAll(/(?:src|href)="(?:\.\/)?assets\/([^"]+)"/g)].map((match) => match[1]);
    expect(referred.length).toBeGreaterThan(0);
    for (const name of referred) expect(files.get(name)).toBeDefined();
  });

  it('gives each content its own ETag', async () => {
    const files = new PublicFiles(directory);
    await files.onModuleInit();
    const tags = files.paths.map((path) => files.get(path)?.etag);
    expect(new Set(tags).size).toBe(2);
    expect(tags[0]).toMatch(/^"[\w-]+"$/);
  });

  it('serves nothing when the directory does not exist', async () => {
    const files = new PublicFiles(join(directory, 'missing'));
    await files.onModuleInit();
    expect(files.paths).toEqual([]);
  });

  it('knows the content types a page uses', () => {
    expect(contentTypeOf('a/app.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('style.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('font.woff2')).toBe('font/woff2');
  });
});

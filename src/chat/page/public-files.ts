import type { OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PublicFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** src/chat/public next to the sources, dist/chat/public in the build (scripts/build.mjs copies it). */
export const PUBLIC_DIRECTORY = fileURLToPath(new URL('../public/', import.meta.url));

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The browser page's files, read once at start-up and kept in memory (a few tens of KB).
 * Lookups are by exact file name, so no request can reach outside the directory.
 */
export class PublicFiles implements OnModuleInit {
  private files = new Map<string, PublicFile>();

  constructor(readonly directory: string = PUBLIC_DIRECTORY) {}

  async onModuleInit(): Promise<void> {
    this.files = await loadDirectory(this.directory);
  }

  /** A file's name, e.g. `index.html`, `app.js`. */
  get(path: string): PublicFile | undefined {
    return this.files.get(path);
  }

  get paths(): string[] {
    return [...this.files.keys()];
  }
}

async function loadDirectory(directory: string): Promise<Map<string, PublicFile>> {
  const files = new Map<string, PublicFile>();
  let entries;
  try {
    // The files sit side by side: `GET <page>/assets/:file` routes one path segment on every
    // Nest HTTP platform (Fastify's router has no named wildcard).
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath, entry.name);
    const body = await readFile(absolute);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    files.set(entry.name, {
      body,
      contentType: contentTypeOf(entry.name),
      etag,
    });
  }
  return files;
}

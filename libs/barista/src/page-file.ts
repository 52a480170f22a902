import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDecorators, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { OpenRoute } from '@cafe/http';

/** A file of a page, copied next to the compiled code by nest build (nest-cli.json "assets"). */
export const readPageFile = (dir: string, name: string) =>
  readFileSync(join(dir, 'public', name), 'utf8');

/**
 * A route that serves one file of a page. Open to anyone: a page file holds no data, and a
 * browser must load the page before it can ask for a token. The policy keeps the page to its
 * own origin: no CDN, nothing from outside.
 */
export const PageFile = (summary: string, contentType: string) =>
  applyDecorators(
    OpenRoute(),
    Header('content-type', `${contentType}; charset=utf-8`),
    Header('cache-control', 'no-cache'),
    Header('content-security-policy', "default-src 'self'"),
    ApiOperation({ summary }),
    ApiProduces(contentType),
    ApiOkResponse({ description: `The ${contentType} file` }),
  );

import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { type INestApplication, StreamableFile } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorBody } from './http-error.filter';

/** Where each app serves its API: the UI at `/docs`, the OpenAPI document at `/docs-json`. */
export const DOCS_PATH = 'docs';

export interface ApiDocsInfo {
  readonly title: string;
  readonly description: string;
  /** Documents the `Authorization: Bearer` scheme, so that the UI's "Authorize" button sends it. */
  readonly bearer?: string;
}

const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', example: 5 },
  },
};

/** Documents an error answer, `{statusCode, error, message}` like every other; 429 and 503 carry Retry-After. */
export function ApiErrorResponse(
  status: number,
  description: string,
  { retryAfter = false } = {},
): MethodDecorator {
  return ApiResponse({
    status,
    description,
    type: ErrorBody,
    headers: retryAfter ? RETRY_AFTER_HEADER : undefined,
  });
}

/** The two files of swagger-ui-dist (a dependency of @nestjs/swagger) that the UI page loads. */
const UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
};

/**
 * Builds the app's OpenAPI document from its own controllers (so each app lists only its own
 * routes) and serves it at `/docs-json` and `/docs-yaml`, with the Swagger UI at `/docs`.
 * SwaggerModule would serve the UI through `useStaticAssets`, which on Fastify needs
 * `@fastify/static`, a package we do not ship: the page and its two files are served here
 * instead, through the platform-neutral adapter, identically on both platforms.
 */
export function setupApiDocs(
  app: INestApplication,
  { title, description, bearer }: ApiDocsInfo,
): void {
  const builder = new DocumentBuilder().setTitle(title).setDescription(description).setVersion('1');
  if (bearer) builder.addBearerAuth({ type: 'http', scheme: 'bearer', description: bearer });
  const config = builder.build();
  SwaggerModule.setup(DOCS_PATH, app, SwaggerModule.createDocument(app, config), { ui: false });

  const http = app.getHttpAdapter();
  const send = (response: unknown, type: string, body: string | StreamableFile) => {
    http.setHeader(response, 'Content-Type', type);
    http.reply(response, body, 200);
  };
  const page = uiPage(title);
  http.get(`/${DOCS_PATH}`, (_: unknown, response: unknown) =>
    send(response, 'text/html; charset=utf-8', page),
  );
  const assets = dirname(
    require.resolve('swagger-ui-dist/package.json', {
      paths: [dirname(require.resolve('@nestjs/swagger'))],
    }),
  );
  for (const [file, type] of Object.entries(UI_ASSETS)) {
    http.get(`/${DOCS_PATH}/${file}`, (_: unknown, response: unknown) =>
      send(response, type, new StreamableFile(createReadStream(join(assets, file)), { type })),
    );
  }
}

function uiPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/${DOCS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/${DOCS_PATH}-json', dom_id: '#swagger-ui' });</script>
</body>
</html>
`;
}

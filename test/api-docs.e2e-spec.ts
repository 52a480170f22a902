import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';

type Side = 'customer' | 'barista';

interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { description: string; headers?: Record<string, unknown> }>;
}
type OpenApiPaths = Record<string, Record<string, Operation>>;

describe.each(HTTP_ADAPTERS)('the API documents on %s', (adapter) => {
  let cafe: TestCafe;

  beforeAll(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterAll(() => cafe.close());

  const documentOf = async (side: Side) => {
    const answer = await cafe[side]('GET', '/docs-json');
    expect(answer.status).toBe(200);
    return answer.body as {
      openapi: string;
      info: { title: string };
      paths: OpenApiPaths;
      components: { securitySchemes?: Record<string, unknown> };
    };
  };

  it.each<Side>(['customer', 'barista'])(
    'the %s app documents exactly the routes its router serves',
    async (side) => {
      const document = await documentOf(side);
      const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      const served = routesOf(cafe.cafe[side]);
      expect(served.length).toBeGreaterThan(2);
      expect(documented.sort()).toEqual(served);
    },
  );

  it.each<Side>(['customer', 'barista'])(
    'every %s operation documents a success and describes each answer',
    async (side) => {
      for (const [path, methods] of Object.entries((await documentOf(side)).paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          const statuses = Object.keys(operation.responses);
          expect({ path, method, success: statuses.some((s) => s.startsWith('2')) }).toEqual({
            path,
            method,
            success: true,
          });
          for (const [status, response] of Object.entries(operation.responses)) {
            expect({ path, status, description: response.description.length > 0 }).toEqual({
              path,
              status,
              description: true,
            });
          }
        }
      }
    },
  );

  it('documents every answer and header of POST /order', async () => {
    const order = (await documentOf('customer')).paths['/order'].post;
    expect(Object.keys(order.responses).sort()).toEqual(
      ['200', '202', '400', '409', '413', '415', '422', '429', '503'].sort(),
    );
    expect(order.parameters?.filter((p) => p.in === 'header').map((p) => p.name)).toEqual(
      expect.arrayContaining(['Idempotency-Key', 'Prefer']),
    );
    expect(order.responses['429'].headers).toHaveProperty('Retry-After');
    expect(order.responses['503'].headers).toHaveProperty('Retry-After');
  });

  it('documents the refusal of GET /orders/{id} to an address that looks up unknown ids', async () => {
    const lookup = (await documentOf('customer')).paths['/orders/{id}'].get;
    expect(Object.keys(lookup.responses).sort()).toEqual(['200', '404', '422', '429']);
    expect(lookup.responses['429'].headers).toHaveProperty('Retry-After');
  });

  it('documents the barista routes with their refusals', async () => {
    const { paths } = await documentOf('barista');
    expect(Object.keys(paths['/start'].get.responses).sort()).toEqual(['200', '401', '404']);
    expect(Object.keys(paths['/finish'].post.responses).sort()).toEqual(
      ['200', '400', '401', '404', '409', '413', '415', '422'].sort(),
    );
    expect(paths['/finish'].post.parameters).toEqual([
      expect.objectContaining({ name: 'order_id', in: 'query' }),
    ]);
  });

  it("documents the barista's bearer token where it is needed, so the UI's Authorize sends it", async () => {
    const { components, paths } = await documentOf('barista');
    expect(components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    for (const [path, method] of [
      ['/start', 'get'],
      ['/finish', 'post'],
      ['/queue', 'get'],
      ['/events', 'get'],
      ['/events/stream', 'get'],
      ['/board/state', 'get'],
    ]) {
      expect({ path, security: paths[path][method].security }).toEqual({
        path,
        security: [{ bearer: [] }],
      });
    }
    for (const path of ['/health', '/health/live', '/metrics', '/station', '/']) {
      expect({ path, security: paths[path].get.security }).toEqual({ path, security: undefined });
    }
    expect((await documentOf('customer')).components.securitySchemes).toBeUndefined();
  });

  it.each<Side>(['customer', 'barista'])('serves the Swagger UI on the %s app', async (side) => {
    const page = await cafe[side]('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const scripts = [...String(page.body).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js']);
    for (const asset of scripts) {
      const answer = await cafe[side]('GET', asset);
      expect({ asset, status: answer.status }).toEqual({ asset, status: 200 });
      expect(String(answer.body).length).toBeGreaterThan(10_000);
    }
    expect((await cafe[side]('GET', '/docs/package.json')).status).toBe(404);
  });
});

/** "METHOD /path" of every route the app's controllers declare, read from Nest's routing metadata. */
function routesOf(app: INestApplication): string[] {
  const scanner = new MetadataScanner();
  const routes: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const base: string = Reflect.getMetadata(PATH_METADATA, metatype as object) ?? '';
      const prototype = (metatype as { prototype: Record<string, object> }).prototype;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const path: string | undefined = Reflect.getMetadata(PATH_METADATA, prototype[name]);
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, prototype[name])];
        const segments = [base, path].flatMap((part) => part.split('/')).filter(Boolean);
        routes.push(`${method} /${segments.map((s) => s.replace(/^:(.+)$/, '{$1}')).join('/')}`);
      }
    }
  }
  return routes.sort();
}

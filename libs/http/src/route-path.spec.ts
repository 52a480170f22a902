import { routePath } from './route-path';

describe('routePath', () => {
  it.each([
    ['/order', '/order'],
    ['/order/', '/order'],
    ['/ORDER/', '/order'],
    ['/Order', '/order'],
    ['http://h/order/', '/order'],
    ['HTTPS://h:8000/order?x=1', '/order'],
    ['/order/#', '/order'],
    ['/order#/elsewhere', '/order'],
    ['/%6Frder/', '/order'],
    ['/%6frder/', '/order'],
    ['//order//', '/order'],
    ['/order/?drink=latte', '/order'],
    ['/orders/abc?wait=60', '/orders/abc'],
    ['/', '/'],
    ['', '/'],
    [undefined, '/'],
    ['*', '/*'],
    ['/%2Forder', '/%2forder'],
    ['/orde%72%2F', '/order%2f'],
  ])('%j is %j', (target, path) => {
    expect(routePath(target)).toBe(path);
  });
});

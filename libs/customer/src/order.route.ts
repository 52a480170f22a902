/** The path customers post orders to, `/order` or `/order/` (the reference client omits the slash). */
export const ORDER_ROUTE = 'order';

/** The café serves one drink; the type leaves room for a menu without pretending to have one. */
export const DRINKS = ['americano'] as const;
export type Drink = (typeof DRINKS)[number];
export const DEFAULT_DRINK: Drink = 'americano';

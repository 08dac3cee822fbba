/**
 * Each module states its defaults once, in one constant the compiler holds to its props: every
 * optional prop has a value there unless it is named as having none (`Defaults<P, "slack">`).
 * Constructors and validation both read props through `withDefaults`, so neither restates one.
 */

/** The props of P that may be left out. */
export type OptionalKeys<P> = { [K in keyof P]-?: undefined extends P[K] ? K : never }[keyof P];

/** A value for every optional prop of P except `None`: the props whose default is "none" (or is derived from other props). */
export type Defaults<P, None extends OptionalKeys<P> = never> = { readonly [K in Exclude<OptionalKeys<P>, None>]-?: Exclude<P[K], undefined> };

/** P with every defaulted prop present. */
export type WithDefaults<P, K extends keyof P> = Omit<P, K> & { readonly [Q in K]-?: Exclude<P[Q], undefined> };

/** The props, with the default of each one left out (or given as `undefined`). */
export function withDefaults<P extends object, K extends keyof P>(props: P, defaults: { readonly [Q in K]: Exclude<P[Q], undefined> }): WithDefaults<P, K> {
  const given = Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined));
  return { ...defaults, ...given } as WithDefaults<P, K>;
}

/** Every example, in the order `npm run demo` runs them (the seed's order, sa last). */
export const EXAMPLES = [
  "basic",
  "cursor",
  "tutorial_insert",
  "executemany",
  "callproc",
  "transaction",
  "dict_cursor",
  "attr_dict_cursor",
  "pool",
  "sa",
];

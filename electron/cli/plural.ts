/** `1 module`, `2 modules`: a count with its noun, in the form the count takes. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "1 request", "2 requests": a count with its noun, singular when it is one. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

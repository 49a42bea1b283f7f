export async function runAuth(_args: string[]): Promise<number> {
  process.stderr.write('tap-infusionsoft: auth is not available yet\n');
  return 2;
}

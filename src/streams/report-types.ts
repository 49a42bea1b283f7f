/** One entry of `config.reports`: a report id, an optional stream name, and that report's parameters. */
export interface ReportConfig {
  report: string;
  stream?: string;
  [parameter: string]: unknown;
}

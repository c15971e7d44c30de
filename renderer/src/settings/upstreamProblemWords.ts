import type { UpstreamProblem } from '../../../shared/goproxy/upstreamSetting';
import type { Translate } from '../i18n/catalog';

/** What is wrong with an upstream GOPROXY list, in the operator's language, naming the entry at fault. */
export function upstreamProblemWords(found: UpstreamProblem, t: Translate): string {
  const { problem, entry } = found;
  if (problem === 'empty' || problem === 'starts-with-off' || problem === 'direct-only' || problem === 'no-entries') return t(`settings.upstream.problem.${problem}`);
  return t(`settings.upstream.problem.${problem}`, { position: entry?.position ?? 0, entry: entry?.text ?? '' });
}

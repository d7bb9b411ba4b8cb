import { createRule } from './rule';

export const unusedSuppression = createRule({
  id: 'unused-suppression',
  code: 39010,
  description: 'A `wakerscope-ignore` comment that suppresses nothing.',
  summary: 'a suppression comment that suppresses nothing',
  defaultLevel: 'warn',
  messages: {
    /** `directive`: `wakerscope-ignore-next-line` or `wakerscope-ignore-file`; `where`: "in this file" or "on line 12". */
    suppressesNothing: (directive: string, where: string) => `\`${directive}\` suppresses nothing: no finding ${where}`,
    ruleSuppressesNothing: (directive: string, rule: string, where: string) => `\`${directive} ${rule}\` suppresses nothing: no ${rule} finding ${where}`,
    unknownRule: (directive: string, rule: string) => `\`${directive}\` names unknown rule '${rule}'`,
    help: () => 'remove the comment, or the rule names that no longer apply',
  },
});

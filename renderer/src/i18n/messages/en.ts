/**
 * Every visible string in English: the reference catalog. Other languages must have the same keys
 * with the same {placeholders}. A message counting something is { one, other }, chosen by the
 * language's plural rules from its `count`.
 */
export const en = {
  'app.name': 'ModFerry',
  'app.tagline': 'Carry Go modules across an air gap',
  'app.version': 'Version {version} on {platform}',
  'app.loadFailed': 'The app could not be reached: {reason}',

  'shell.skipToContent': 'Skip to content',
  'shell.navigation': 'Screens',
  'shell.languageSwitch': 'Language',

  'screen.start': 'Start',
  'screen.export': 'Export',
  'screen.settings': 'Settings',

  'start.question': 'Which side of the air gap is this machine?',
  'start.hint': 'The app remembers your answer. You can change it here at any time.',
  'start.online.title': 'Online: export',
  'start.online.detail': 'This machine reaches the internet. Gather the modules your projects need and write them to a drive.',
  'start.offline.title': 'Offline: import and serve',
  'start.offline.detail': 'This machine is cut off. Verify bundles from a drive, import them and serve them to the go command.',
  'start.offline.commands': 'On this machine, verify, import and serve with the modferry command:',
  'start.offline.commandVerify': 'checks a bundle on a drive without changing anything',
  'start.offline.commandImport': 'verifies a bundle and adds it to the store',
  'start.offline.commandServe': 'serves the store to the go command as a GOPROXY',
  'start.chosen': 'Chosen',

  'settings.language': 'Language',
  'settings.language.system': 'Follow the system ({language})',
  'settings.theme': 'Theme',
  'settings.theme.system': 'Follow the system',
  'settings.theme.light': 'Light',
  'settings.theme.dark': 'Dark',
  'settings.savedHint': 'Changes apply at once and are remembered on this computer.',

  'language.en': 'English',
  'language.zh-CN': '简体中文',

  'size.bytes': { one: '{count} byte', other: '{count} bytes' },
  'size.KiB': '{value} KiB',
  'size.MiB': '{value} MiB',
  'size.GiB': '{value} GiB',
  'size.TiB': '{value} TiB',
  'size.PiB': '{value} PiB',
  'size.perSecond': '{size}/s',
} as const;

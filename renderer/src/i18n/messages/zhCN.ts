import type { Catalog } from '../catalog';

/** Simplified Chinese. Typed as a Catalog, so a key missing here, or one English lacks, does not compile. */
export const zhCN: Catalog = {
  'app.name': 'ModFerry',
  'app.tagline': '把 Go 模块带过网闸',
  'app.version': '版本 {version}，运行于 {platform}',
  'app.loadFailed': '无法连接应用：{reason}',

  'shell.skipToContent': '跳到正文',
  'shell.navigation': '页面',
  'shell.languageSwitch': '语言',

  'screen.start': '开始',
  'screen.export': '导出',
  'screen.settings': '设置',

  'start.question': '这台机器在网闸的哪一边？',
  'start.hint': '应用会记住你的选择，你可以随时在这里更改。',
  'start.online.title': '联网：导出',
  'start.online.detail': '这台机器可以访问互联网。收集项目所需的模块并写入移动存储设备。',
  'start.offline.title': '离线：导入并提供服务',
  'start.offline.detail': '这台机器与外网隔离。校验移动存储设备上的模块包，导入后为 go 命令提供服务。',
  'start.offline.commands': '在这台机器上，用 modferry 命令校验、导入并提供服务：',
  'start.offline.commandVerify': '检查设备上的模块包，不做任何更改',
  'start.offline.commandImport': '校验模块包并加入仓库',
  'start.offline.commandServe': '以 GOPROXY 的方式为 go 命令提供仓库中的模块',
  'start.chosen': '已选择',

  'settings.language': '语言',
  'settings.language.system': '跟随系统（{language}）',
  'settings.theme': '主题',
  'settings.theme.system': '跟随系统',
  'settings.theme.light': '浅色',
  'settings.theme.dark': '深色',
  'settings.savedHint': '更改立即生效，并保存在这台电脑上。',

  'language.en': 'English',
  'language.zh-CN': '简体中文',

  'size.bytes': { other: '{count} 字节' },
  'size.KiB': '{value} KiB',
  'size.MiB': '{value} MiB',
  'size.GiB': '{value} GiB',
  'size.TiB': '{value} TiB',
  'size.PiB': '{value} PiB',
  'size.perSecond': '{size}/秒',
};

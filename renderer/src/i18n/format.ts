import type { Translate } from './catalog';
import type { Language } from './language';

const UNIT_KEYS = ['size.KiB', 'size.MiB', 'size.GiB', 'size.TiB', 'size.PiB'] as const;

export interface Formatters {
  /** A byte count as a drive label shows it: binary units, one decimal, exact below 1 KiB. */
  size(bytes: number): string;
  /** A transfer rate, bytes per second. */
  rate(bytesPerSecond: number): string;
  number(value: number): string;
  /** A moment, with date and time, in the reader's conventions. */
  dateTime(moment: Date | number): string;
  /** A time span such as an ETA, rounded up to what a reader needs: "45 seconds", "3 minutes", "2 hours, 5 minutes". */
  duration(seconds: number): string;
}

export function formatters(language: Language, t: Translate): Formatters {
  const oneDecimal = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const numbers = new Intl.NumberFormat(language);
  const dates = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
  const timeUnit = (unit: string): Intl.NumberFormat => new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'long' });
  const units = { second: timeUnit('second'), minute: timeUnit('minute'), hour: timeUnit('hour') };
  const unitList = new Intl.ListFormat(language, { type: 'unit', style: 'long' });
  const inUnit = (value: number, unit: keyof typeof units): string => units[unit].format(value);
  const duration = (seconds: number): string => {
    const whole = Math.max(0, Math.ceil(seconds));
    if (whole < 60) return inUnit(whole, 'second');
    const minutes = Math.ceil(whole / 60);
    if (minutes < 60) return inUnit(minutes, 'minute');
    const hours = Math.floor(minutes / 60);
    return minutes % 60 === 0 ? inUnit(hours, 'hour') : unitList.format([inUnit(hours, 'hour'), inUnit(minutes % 60, 'minute')]);
  };
  const size = (bytes: number): string => {
    if (bytes < 1024) return t('size.bytes', { count: bytes });
    let value = bytes / 1024;
    let unit = 0;
    // Past the last step, and where 1023.96 KiB would round to "1,024.0 KiB": the next unit up.
    while (unit < UNIT_KEYS.length - 1 && Math.round(value * 10) / 10 >= 1024) {
      value /= 1024;
      unit++;
    }
    return t(UNIT_KEYS[unit] ?? 'size.PiB', { value: oneDecimal.format(value) });
  };
  return {
    size,
    rate: (bytesPerSecond) => t('size.perSecond', { size: size(Math.round(bytesPerSecond)) }),
    number: (value) => numbers.format(value),
    dateTime: (moment) => dates.format(moment),
    duration,
  };
}

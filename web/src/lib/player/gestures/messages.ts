import { defineMessages } from '$lib/i18n/messages.ts';

export const messages = defineMessages({
  en: {
    seekForward: 'Forward {time}',
    seekBack: 'Back {time}',
    brightness: 'Brightness',
    volume: 'Volume',
    muted: 'Muted',
    level: '{control} {percent}%',
    speedHeld: '{rate}x',
    speedAnnounce: 'Playing at {rate}x speed while held',
  },
  'zh-CN': {
    seekForward: '快进 {time}',
    seekBack: '快退 {time}',
    brightness: '亮度',
    volume: '音量',
    muted: '已静音',
    level: '{control} {percent}%',
    speedHeld: '{rate}倍速',
    speedAnnounce: '长按中，{rate}倍速播放',
  },
});

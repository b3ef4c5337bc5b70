import { defineMessages } from '$lib/i18n/messages.ts';

export const messages = defineMessages({
  en: {
    language: 'Switch to Chinese',
    navigation: 'Main',
    tabFeed: 'For you',
    tabDiscover: 'Discover',
    tabMessages: 'Inbox',
    tabMe: 'Me',
  },
  'zh-CN': {
    language: '切换到英文',
    navigation: '主导航',
    tabFeed: '推荐',
    tabDiscover: '发现',
    tabMessages: '消息',
    tabMe: '我的',
  },
});

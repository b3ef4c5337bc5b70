/**
 * The demo catalog: six short-drama series across the launch categories, written to look like
 * the real thing (bilingual titles and synopses, 3 free episodes, then paid ones). Pure data; the
 * seeder writes it into the database and the demo-source job renders a video for each episode.
 */
export interface LocalizedName {
  en: string;
  zh: string;
}

export interface DemoCategory extends LocalizedName {
  slug: string;
  position: number;
}

export interface DemoTag extends LocalizedName {
  slug: string;
}

/** How the generated source looks: an ffmpeg lavfi source and the title card colours. */
export interface DemoLook {
  /** lavfi video source expression without size/rate/duration, e.g. `testsrc2`. */
  background: string;
  /** Extra filters applied to the background (colour grading, so series differ at a glance). */
  grade: string;
  cardColor: string;
}

export interface DemoEpisode {
  number: number;
  title: LocalizedName;
  durationSeconds: number;
  isFree: boolean;
  priceCoins: number;
  introStartMs: number;
  introEndMs: number;
  outroStartMs: number;
}

export interface DemoSeries {
  slug: string;
  category: string;
  tags: string[];
  title: LocalizedName;
  synopsis: LocalizedName;
  look: DemoLook;
  freeEpisodes: number;
  seriesPriceCoins: number;
  episodes: DemoEpisode[];
}

export const demoCategories: DemoCategory[] = [
  { slug: 'romance', en: 'Romance', zh: '甜宠', position: 1 },
  { slug: 'revenge', en: 'Revenge', zh: '逆袭复仇', position: 2 },
  { slug: 'time-travel', en: 'Time Travel', zh: '穿越', position: 3 },
  { slug: 'urban', en: 'Urban', zh: '都市', position: 4 },
  { slug: 'fantasy', en: 'Fantasy', zh: '玄幻', position: 5 },
  { slug: 'comedy', en: 'Comedy', zh: '喜剧', position: 6 },
];

export const demoTags: DemoTag[] = [
  { slug: 'ceo', en: 'CEO', zh: '霸总' },
  { slug: 'contract-marriage', en: 'Contract Marriage', zh: '契约婚姻' },
  { slug: 'hidden-identity', en: 'Hidden Identity', zh: '隐藏身份' },
  { slug: 'rebirth', en: 'Rebirth', zh: '重生' },
  { slug: 'palace', en: 'Palace', zh: '宫廷' },
  { slug: 'workplace', en: 'Workplace', zh: '职场' },
  { slug: 'cultivation', en: 'Cultivation', zh: '修仙' },
  { slug: 'family', en: 'Family', zh: '家庭' },
  { slug: 'sweet', en: 'Sweet', zh: '甜文' },
  { slug: 'twist', en: 'Plot Twist', zh: '反转' },
];

interface SeriesSeed {
  slug: string;
  category: string;
  tags: string[];
  title: LocalizedName;
  synopsis: LocalizedName;
  look: DemoLook;
  seriesPriceCoins: number;
  /** Episode titles; their count is the episode count. */
  episodeTitles: LocalizedName[];
  /** Seconds per episode, cycled: varied lengths like a real series. */
  durations: number[];
  /** Price of each paid episode, cycled. */
  prices: number[];
}

const seeds: SeriesSeed[] = [
  {
    slug: 'contract-marriage-with-the-ceo',
    category: 'romance',
    tags: ['ceo', 'contract-marriage', 'sweet'],
    title: { zh: '闪婚总裁', en: 'Contract Marriage with the CEO' },
    synopsis: {
      zh: '为了替父亲还债，实习生林夏与冷面总裁顾沉签下一年婚约。约定不动心，可同一屋檐下的每一天，都在悄悄改写条款。',
      en: 'To pay off her father’s debts, intern Lin Xia signs a one-year marriage contract with icy CEO Gu Chen. Rule one: no feelings. Every day under one roof quietly rewrites the terms.',
    },
    look: {
      background: 'testsrc2',
      grade: 'hue=h=300:s=0.6,eq=brightness=0.05',
      cardColor: '0xd6336c',
    },
    seriesPriceCoins: 299,
    episodeTitles: [
      { zh: '一纸婚约', en: 'A Paper Marriage' },
      { zh: '同居规则', en: 'House Rules' },
      { zh: '家宴风波', en: 'The Family Dinner' },
      { zh: '他的秘密', en: 'His Secret' },
      { zh: '前任归来', en: 'The Ex Returns' },
      { zh: '雨夜告白', en: 'Confession in the Rain' },
      { zh: '合约到期', en: 'The Contract Expires' },
      { zh: '真心换真心', en: 'Heart for Heart' },
    ],
    durations: [34, 41, 28, 52, 37, 45, 31, 58],
    prices: [30, 40, 50],
  },
  {
    slug: 'the-return-of-the-heiress',
    category: 'revenge',
    tags: ['hidden-identity', 'rebirth', 'twist'],
    title: { zh: '真千金归来', en: 'The Return of the True Heiress' },
    synopsis: {
      zh: '被调包二十年的沈家真千金回到豪门，却被当成乡下丫头百般刁难。没人知道，她早已是商界传说中的神秘操盘手。',
      en: 'Switched at birth, the real Shen heiress finally comes home, only to be mocked as a country girl. Nobody knows she is the legendary trader who moves the market from the shadows.',
    },
    look: {
      background: 'mandelbrot',
      grade: 'eq=saturation=1.4:contrast=1.1',
      cardColor: '0x7a1f1f',
    },
    seriesPriceCoins: 349,
    episodeTitles: [
      { zh: '回家', en: 'Homecoming' },
      { zh: '假千金的下马威', en: 'A Cold Welcome' },
      { zh: '宴会打脸', en: 'Face-Slap at the Gala' },
      { zh: '身份曝光', en: 'Identity Revealed' },
      { zh: '股东大会', en: 'The Shareholders’ Meeting' },
      { zh: '尘埃落定', en: 'The Dust Settles' },
      { zh: '新的开始', en: 'A New Beginning' },
    ],
    durations: [47, 33, 55, 29, 44, 38, 60],
    prices: [50, 60, 80],
  },
  {
    slug: 'back-to-the-tang-dynasty',
    category: 'time-travel',
    tags: ['palace', 'twist'],
    title: { zh: '穿越之长安小厨娘', en: 'Back to Chang’an: The Little Chef' },
    synopsis: {
      zh: '米其林主厨苏糖一觉醒来，成了长安城里欠债的小厨娘。一道红烧肉惊动了皇宫，也让她卷入一场夺嫡之争。',
      en: 'Michelin chef Su Tang wakes up as an indebted cook in Tang-dynasty Chang’an. One plate of braised pork reaches the palace, and drags her into a war of succession.',
    },
    look: {
      background: 'life=ratio=0.3:mold=8:life_color=0xffcc66:death_color=0x332200',
      grade: '',
      cardColor: '0xb8860b',
    },
    seriesPriceCoins: 259,
    episodeTitles: [
      { zh: '醒在长安', en: 'Waking in Chang’an' },
      { zh: '第一道菜', en: 'The First Dish' },
      { zh: '御膳房', en: 'The Imperial Kitchen' },
      { zh: '太子的试探', en: 'The Crown Prince’s Test' },
      { zh: '宫宴', en: 'The Palace Banquet' },
      { zh: '归途', en: 'The Way Home' },
    ],
    durations: [25, 39, 46, 32, 53, 42],
    prices: [30, 35],
  },
  {
    slug: 'overtime-in-shanghai',
    category: 'urban',
    tags: ['workplace', 'family'],
    title: { zh: '上海加班日记', en: 'Overtime in Shanghai' },
    synopsis: {
      zh: '北漂转沪漂的程序员许一帆，在裁员名单上看到了自己的名字。三十天，她要证明自己，也要找回被工作偷走的生活。',
      en: 'Programmer Xu Yifan finds her own name on the layoff list. She has thirty days to prove herself — and to win back the life her job has stolen.',
    },
    look: {
      background: 'cellauto=rule=110:scroll=1',
      grade: 'negate,hue=h=200',
      cardColor: '0x1c4e80',
    },
    seriesPriceCoins: 199,
    episodeTitles: [
      { zh: '裁员名单', en: 'The Layoff List' },
      { zh: '凌晨两点', en: '2 a.m.' },
      { zh: '新上司', en: 'The New Boss' },
      { zh: '上线事故', en: 'The Outage' },
      { zh: '回家过年', en: 'Home for New Year' },
      { zh: '辞职信', en: 'The Resignation Letter' },
      { zh: '外滩的风', en: 'Wind on the Bund' },
      { zh: '重启', en: 'Reboot' },
      { zh: '第三十天', en: 'Day Thirty' },
    ],
    durations: [22, 36, 48, 27, 40, 33, 51, 29, 44],
    prices: [30, 40],
  },
  {
    slug: 'sword-of-the-nine-heavens',
    category: 'fantasy',
    tags: ['cultivation', 'hidden-identity', 'rebirth'],
    title: { zh: '九天剑尊', en: 'Sword of the Nine Heavens' },
    synopsis: {
      zh: '被逐出宗门的废柴少年，在断崖下拾到一柄锈剑。剑中沉睡着三千年前的剑尊，而他的仇人，正坐在宗门之巅。',
      en: 'Cast out of his sect as worthless, a young disciple finds a rusted sword at the foot of a cliff. Inside sleeps a sword master from three thousand years ago — whose enemy now rules the sect.',
    },
    look: {
      background: 'gradients=c0=0x0b3d2e:c1=0x4fd1c5:c2=0x1a1a40:n=3:speed=0.03',
      grade: '',
      cardColor: '0x2f6f4f',
    },
    seriesPriceCoins: 399,
    episodeTitles: [
      { zh: '逐出山门', en: 'Cast Out' },
      { zh: '锈剑', en: 'The Rusted Sword' },
      { zh: '剑灵苏醒', en: 'The Spirit Awakens' },
      { zh: '宗门大比', en: 'The Sect Tournament' },
      { zh: '一剑破天', en: 'One Strike Splits the Sky' },
      { zh: '旧怨', en: 'Old Grudges' },
      { zh: '登顶', en: 'The Summit' },
      { zh: '九天之上', en: 'Above the Nine Heavens' },
      { zh: '剑心', en: 'The Heart of the Sword' },
      { zh: '归来', en: 'The Return' },
    ],
    durations: [38, 26, 57, 35, 49, 30, 43, 24, 54, 40],
    prices: [40, 50, 60, 80],
  },
  {
    slug: 'my-landlord-is-a-cat',
    category: 'comedy',
    tags: ['sweet', 'family', 'twist'],
    title: { zh: '我的房东是只猫', en: 'My Landlord Is a Cat' },
    synopsis: {
      zh: '租到市中心白菜价公寓的代价：每天给房东铲屎，还要听它用四川话点评人生。直到隔壁搬来一位同样能听懂猫说话的帅哥。',
      en: 'The price of a dirt-cheap flat downtown: scooping the landlord’s litter box and hearing him critique her life in Sichuan dialect. Then a handsome neighbour moves in — and he can understand the cat too.',
    },
    look: {
      background: 'smptehdbars',
      grade: 'hue=H=2*PI*t/8,eq=saturation=0.8',
      cardColor: '0xe67e22',
    },
    seriesPriceCoins: 149,
    episodeTitles: [
      { zh: '签约', en: 'The Lease' },
      { zh: '会说话的房东', en: 'The Talking Landlord' },
      { zh: '新邻居', en: 'The New Neighbour' },
      { zh: '猫粮危机', en: 'The Cat Food Crisis' },
      { zh: '相亲大作战', en: 'Operation Blind Date' },
      { zh: '真相', en: 'The Truth' },
    ],
    durations: [20, 31, 27, 36, 24, 45],
    prices: [30, 30, 40],
  },
];

/** Episodes 1..3 free; the intro card is the first 3 s, the outro card the last 4 s. */
function episodesOf(seed: SeriesSeed, freeEpisodes: number): DemoEpisode[] {
  return seed.episodeTitles.map((title, i) => {
    const durationSeconds = seed.durations[i % seed.durations.length]!;
    const isFree = i < freeEpisodes;
    return {
      number: i + 1,
      title,
      durationSeconds,
      isFree,
      priceCoins: isFree ? 0 : seed.prices[(i - freeEpisodes) % seed.prices.length]!,
      introStartMs: 0,
      introEndMs: 3000,
      outroStartMs: durationSeconds * 1000 - 4000,
    };
  });
}

export const demoCatalog: DemoSeries[] = seeds.map((seed) => ({
  slug: seed.slug,
  category: seed.category,
  tags: seed.tags,
  title: seed.title,
  synopsis: seed.synopsis,
  look: seed.look,
  freeEpisodes: 3,
  seriesPriceCoins: seed.seriesPriceCoins,
  episodes: episodesOf(seed, 3),
}));

export function findDemoEpisode(
  slug: string,
  number: number,
): { series: DemoSeries; episode: DemoEpisode } | null {
  const found = demoCatalog.find((s) => s.slug === slug);
  const episode = found?.episodes.find((e) => e.number === number);
  return found && episode ? { series: found, episode } : null;
}

export function demoSourceKey(slug: string, number: number): string {
  return `sources/demo/${slug}/ep${String(number).padStart(2, '0')}.mp4`;
}

/** What DEMO_SCALE selects: the series to seed and the size their sources are rendered at. */
export interface DemoProfile {
  catalog: readonly DemoSeries[];
  sourceSize: { width: number; height: number };
}

/**
 * `full` is the catalog people browse; `tiny` keeps every series and category but only two 6 s
 * episodes each (four in the first series, so a paid one exists) at 540x960, so the whole
 * platform can be tested end to end in about a minute of transcoding.
 */
export function demoProfile(scale: 'full' | 'tiny'): DemoProfile {
  if (scale === 'full') return { catalog: demoCatalog, sourceSize: { width: 720, height: 1280 } };
  const durationSeconds = 6;
  return {
    catalog: demoCatalog.map((demo, index) => ({
      ...demo,
      episodes: demo.episodes.slice(0, index === 0 ? 4 : 2).map((episode) => ({
        ...episode,
        durationSeconds,
        introEndMs: 2000,
        outroStartMs: durationSeconds * 1000 - 2000,
      })),
    })),
    sourceSize: { width: 540, height: 960 },
  };
}

/**
 * Character equivalences the blocked-words matcher folds before it compares (text-fold.ts). They
 * apply after NFKD and lower-casing, so they only need the lower-case forms that survive those.
 */

/**
 * Letters of other scripts that render like a Latin letter, so that `fuсk` with a Cyrillic `с` or
 * `ѕех` in Cyrillic is read as the Latin word it imitates. A subset of Unicode's confusables
 * (UTS #39, confusables.txt) limited to the whole-letter look-alikes of Cyrillic, Greek, Armenian
 * and IPA; upper-case Cyrillic and Greek letters reach this table lower-cased, which is why `м`
 * (from `М`) and `н` (from `Н`) are here.
 */
export const latinLookAlikes: ReadonlyMap<string, string> = new Map([
  // Cyrillic
  ['а', 'a'],
  ['в', 'b'],
  ['е', 'e'],
  ['к', 'k'],
  ['м', 'm'],
  ['н', 'h'],
  ['о', 'o'],
  ['р', 'p'],
  ['с', 'c'],
  ['т', 't'],
  ['у', 'y'],
  ['х', 'x'],
  ['і', 'i'],
  ['ј', 'j'],
  ['ѕ', 's'],
  ['һ', 'h'],
  ['ԁ', 'd'],
  ['ԛ', 'q'],
  ['ԝ', 'w'],
  ['ӏ', 'l'],
  // Greek
  ['α', 'a'],
  ['β', 'b'],
  ['γ', 'y'],
  ['ε', 'e'],
  ['η', 'n'],
  ['ι', 'i'],
  ['κ', 'k'],
  ['ν', 'v'],
  ['ο', 'o'],
  ['ρ', 'p'],
  ['τ', 't'],
  ['υ', 'u'],
  ['χ', 'x'],
  ['ω', 'w'],
  ['ϲ', 'c'],
  ['ϳ', 'j'],
  // Armenian
  ['օ', 'o'],
  ['ս', 'u'],
  // Latin letters outside ASCII that NFKD leaves alone
  ['ı', 'i'],
  ['ȷ', 'j'],
  ['ɑ', 'a'],
  ['ɡ', 'g'],
  ['ɩ', 'i'],
  ['ʋ', 'u'],
]);

/**
 * Leetspeak: digits and symbols written for letters (`sh1t`, `@ss`, `$ex`). Applied only in the
 * matcher's second pass, where a hit must still hold real letters (lexicon-matcher.ts says which),
 * so that numbers such as `455` or a model name such as `A55` are never read as words.
 */
export const leetLetters: ReadonlyMap<string, string> = new Map([
  ['0', 'o'],
  ['1', 'i'],
  ['3', 'e'],
  ['4', 'a'],
  ['5', 's'],
  ['7', 't'],
  ['@', 'a'],
  ['$', 's'],
]);

/**
 * Traditional Chinese characters of the lexicon's terms, folded to their simplified forms so one
 * entry covers both spellings (媽的 / 妈的, 雞巴 / 鸡巴). Only characters that occur in kept
 * terms are listed: a full Traditional-to-Simplified table (OpenCC) is far larger than what the
 * lexicon needs, and folding a character no term uses changes nothing.
 */
export const simplifiedHan: ReadonlyMap<string, string> = new Map([
  ['媽', '妈'],
  ['雞', '鸡'],
  ['陰', '阴'],
  ['莖', '茎'],
  ['賤', '贱'],
  ['爛', '烂'],
  ['強', '强'],
  ['姦', '奸'],
  ['幹', '干'],
  ['乾', '干'],
  ['騷', '骚'],
  ['貨', '货'],
  ['亂', '乱'],
  ['蕩', '荡'],
  ['婦', '妇'],
  ['龜', '龟'],
  ['頭', '头'],
  ['兒', '儿'],
  ['賣', '卖'],
  ['雜', '杂'],
  ['種', '种'],
  ['養', '养'],
  ['機', '机'],
  ['癟', '瘪'],
  ['馬', '马'],
  ['愛', '爱'],
  ['輪', '轮'],
  ['陽', '阳'],
  ['駛', '驶'],
  ['師', '师'],
  ['賊', '贼'],
  ['賽', '赛'],
  ['贛', '赣'],
  ['濕', '湿'],
  ['內', '内'],
  ['褲', '裤'],
  ['雙', '双'],
  ['顫', '颤'],
  ['穢', '秽'],
  ['鴨', '鸭'],
  ['剛', '刚'],
  ['懶', '懒'],
  ['幾', '几'],
  ['個', '个'],
  ['鏟', '铲'],
  ['實', '实'],
  ['腸', '肠'],
]);

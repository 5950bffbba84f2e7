// C0 controls, DEL and C1 controls: never part of a credential (RFC 7617 §2) or a display name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const controlPattern = /[\u0000-\u001F\u007F-\u009F]/

/** Whether `text` holds a control character. */
export function hasControlCharacters(text: string): boolean {
  return controlPattern.test(text)
}

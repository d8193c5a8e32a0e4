/**
 * How the pages show instants, key states and owners: instants as `<time>` in UTC, states as text
 * (with colour only as a second cue), and the expiry choices of the create-key forms.
 */
import { type KeyInfo, keyState } from '@keyscope/core';
import { type Html, html } from './html.js';

/** `2030-01-01 12:00 UTC` (without ` UTC` when `zone` is false: a column that says UTC). */
export function instantText(date: Date, zone = true): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}${zone ? ' UTC' : ''}`;
}

/** A `<time>` element, or `fallback` when there is no instant. */
export function when(date: Date | undefined, fallback: string, zone = true): Html | string {
  return date === undefined
    ? fallback
    : html`<time datetime="${date.toISOString()}">${instantText(date, zone)}</time>`;
}

/** The key's state in words, with a scheduled revocation said too. */
export function stateBadge(key: KeyInfo, now: Date): Html {
  const state = keyState(key, now);
  const label = state === 'active' ? 'Active' : state === 'revoked' ? 'Revoked' : 'Expired';
  const scheduled =
    state === 'active' && key.revokedAt !== undefined
      ? html` <span class="muted">(revocation scheduled for ${instantText(key.revokedAt)})</span>`
      : '';
  return html`<span class="state state-${state}">${label}</span>${scheduled}`;
}

/** The expiry choices of a new key: value, label, and lifetime in days (none: never expires). */
export const EXPIRY_CHOICES: readonly { value: string; label: string; days?: number }[] = [
  { value: 'never', label: 'Never' },
  { value: '7d', label: 'In 7 days', days: 7 },
  { value: '30d', label: 'In 30 days', days: 30 },
  { value: '90d', label: 'In 90 days', days: 90 },
  { value: '365d', label: 'In 1 year', days: 365 },
];

/**
 * The expiry a form asked for: `undefined` for never, a `Date` for a choice, `null` when the value
 * is not one of the choices.
 */
export function expiryFrom(value: unknown, now: Date): Date | undefined | null {
  const choice = EXPIRY_CHOICES.find((candidate) => candidate.value === value);
  if (choice === undefined) return value === undefined || value === '' ? undefined : null;
  return choice.days === undefined ? undefined : new Date(now.getTime() + choice.days * 86_400_000);
}

/** A text quoted for a POSIX shell (single quotes). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

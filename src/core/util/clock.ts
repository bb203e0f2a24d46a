/**
 * Time as an input. Scheduling, log windows and deadlines take a Clock so tests can pin "now".
 */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that always answers the same instant; for tests and reproducible CLI runs. */
export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at);
  return { now: () => new Date(instant) };
}

/** Instants are TEXT in UTC ISO-8601 (`2022-07-14T01:00:00.000Z`). */
export type Instant = string;

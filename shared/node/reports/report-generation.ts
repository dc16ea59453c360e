/**
 * The highest summary generation (report_facts_state.generation) any buyer
 * list held in this process was read at. A file put in the ledger's place (a
 * snapshot) carries the generation of the build that made it, which may equal
 * the one a held list was read at from other contents: it is given one above
 * both, so no list takes the new file's cells for its own (buyer-lists.ts).
 */
let highest = 0;

export function noteGeneration(generation: number): void {
  highest = Math.max(highest, generation);
}

export const generationAbove = (fileGeneration: number): number => Math.max(fileGeneration, highest) + 1;

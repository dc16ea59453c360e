import type { Insertable } from 'kysely';
import type { BuyerDirectoryTable } from '../db/schema.js';
import { phoneDigits } from '../../shared/common/buyer-identity.js';
import { nameBirthHash, phoneHash, seal, type DirectoryKeys } from './protect.js';

export interface PresentedIdentity {
  name: string;
  phone: string;
  birthDate: string;
}

/** The directory row for a buyer's identity: hashes to find it by, sealed copies to read it back; nothing in plain. */
export function directoryRow(keys: DirectoryKeys, buyerId: string, districtCode: string, who: PresentedIdentity, at: Date): Insertable<BuyerDirectoryTable> {
  return {
    buyer_id: buyerId,
    district_code: districtCode,
    phone_hash: phoneHash(keys, who.phone),
    name_birth_hash: nameBirthHash(keys, who.name, who.birthDate),
    phone_sealed: seal(keys, phoneDigits(who.phone)),
    name_sealed: seal(keys, who.name.normalize('NFC').trim()),
    birth_sealed: seal(keys, who.birthDate),
    recorded_at: at,
  };
}

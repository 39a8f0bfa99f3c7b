/**
 * The identity module's sealed columns, for key rotation (`haven keys rotate`). The contexts are
 * the ones auth.routes.ts seals with: one per column (a TOTP secret is bound to its column).
 */
import { type SealedColumn, sealedColumn } from '../../kernel/vault/sealed-columns.ts';

export const identitySealedColumns: SealedColumn[] = [
  sealedColumn({ table: 'users', column: 'totp_secret', key: ['id'], context: () => 'users.totp_secret' }),
  sealedColumn({ table: 'sessions', column: 'pending_totp_secret', key: ['id'], context: () => 'sessions.pending_totp_secret' }),
];

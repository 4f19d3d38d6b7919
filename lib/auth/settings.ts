// Console settings an admin can change, with their defaults.
import type { Queryable } from '../queue/queryable.ts'

export interface Settings {
  /** Viewers see jobs without their arguments and results. */
  hideValuesFromViewers: boolean
}

export const defaultSettings: Settings = { hideValuesFromViewers: false }

export async function getSettings(db: Queryable): Promise<Settings> {
  const rows = await db.query<{ key: keyof Settings; value: never }>('SELECT key, value FROM manana_settings')
  const settings = { ...defaultSettings }
  for (const row of rows) if (row.key in defaultSettings) settings[row.key] = row.value
  return settings
}

export async function updateSettings(db: Queryable, changes: Partial<Settings>): Promise<Settings> {
  for (const [key, value] of Object.entries(changes)) {
    await db.query(
      `INSERT INTO manana_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, JSON.stringify(value)],
    )
  }
  return getSettings(db)
}

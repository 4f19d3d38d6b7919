import { fileURLToPath } from 'node:url'
import path from 'node:path'

/** The repository root (where package.json, prisma/ and .manana/ live). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

import { openApiDocument } from '../../../lib/api/openapi.ts'

export const dynamic = 'force-static'
export const GET = () => Response.json(openApiDocument())

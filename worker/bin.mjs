#!/usr/bin/env node
// `npx manana …`: runs the TypeScript command line through tsx.
import { register } from 'tsx/esm/api'

register()
await import('./cli.ts')

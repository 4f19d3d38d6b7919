import { formatTime, exactTime } from '../lib/console/time.ts'
const d = new Date('2026-12-06T16:56:42.963Z')
console.log(formatTime(d, 'local'), '|', exactTime(d, 'local'))

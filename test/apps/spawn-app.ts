// A worker process's app for the spawn tests: `spawner` spawns three `piece` jobs, then (on its
// first attempt) waits until it is killed, so that its spawns never reach an end.
import { createApp } from '../../lib/queue/app.ts'

export const app = createApp()
app.task('piece', {}, () => 'piece')
app.task('after', {}, () => 'after')
app.task('spawner', { retry: 1 }, async (_args, ctx) => {
  await ctx.spawnMany('piece', [{ n: 0 }, { n: 1 }, { n: 2 }], { key: 'piece' })
  if (ctx.attempt === 1) {
    ctx.log('spawned, now waiting to be killed')
    await new Promise((resolve) => setTimeout(resolve, 120_000))
  }
})

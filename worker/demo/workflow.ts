import { diamond, failingBranch, fanOut, etl, files } from './app.ts'

/** Defers the demo's workflows (their definitions, with their default inputs); returns their job ids. */
export async function deferDemoWorkflows() {
  return {
    pipeline: await etl.defer({}),
    diamond: await diamond.defer({}),
    fanOut: await fanOut.defer({}),
    failingBranch: await failingBranch.defer({}),
    files: await files.defer({}),
  }
}

import { ModFerryError } from '../errors/modferryError';
import type { ExportPlan } from '../export/exportPlan';

/** How many plans a window or connection keeps for export:run: a review screen runs the one it shows. */
export const KEPT_PLANS = 5;

/**
 * The export plans made on one window or socket, by id. export:run takes an id, never a plan: the id is
 * a hash of the plan, which proves it unchanged but not that this app made it, so the plan run is the
 * one kept here, never one the renderer hands back.
 */
export class RecentPlans {
  private plans: ExportPlan[] = [];

  constructor(private readonly limit = KEPT_PLANS) {}

  add(plan: ExportPlan): void {
    this.plans = [...this.plans.filter((kept) => kept.id !== plan.id), plan].slice(-this.limit);
  }

  get(id: string): ExportPlan {
    const plan = this.plans.find((kept) => kept.id === id);
    if (plan === undefined) {
      throw new ModFerryError('usage', `export:run: plan ${id.slice(0, 12)} was not made on this window or connection, or is older than its last ${this.limit}: make the plan again`);
    }
    return plan;
  }
}

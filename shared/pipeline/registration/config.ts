import { DEFAULT_CONFIG } from '../../config/defaults';
import type { RegistrationConfig as RegistrationSection } from '../../config/config-types';

/**
 * The `registration.*` keys of METHOD.md section 4: the validated config plan's own section (one
 * definition, in shared/config), so the plan plugs in directly. Proxy px for star_inlier_tol_px and
 * star_dist_bin_px, full-resolution px for reject_shift_px_min.
 */
export type RegistrationConfig = RegistrationSection;
export type RegistrationEngine = RegistrationConfig['engine'];

export const DEFAULT_REGISTRATION_CONFIG: RegistrationConfig = DEFAULT_CONFIG.registration;

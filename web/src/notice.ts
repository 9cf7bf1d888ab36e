import { byId } from './dom';
import { t } from './i18n';

/** Shows what went wrong in the page's alert line (read out at once by screen readers). */
export function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const line = byId('error');
  line.textContent = t('error', { message });
  line.hidden = false;
}

export function clearError(): void {
  const line = byId('error');
  line.hidden = true;
  line.textContent = '';
}

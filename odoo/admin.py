from django.contrib import admin

from odoo.models import OdooProductLink


@admin.register(OdooProductLink)
class OdooProductLinkAdmin(admin.ModelAdmin):
    list_display = ("zoho_item_id", "odoo_template_id", "active", "adopted", "last_pushed_at")
    list_filter = ("active", "adopted")
    search_fields = ("zoho_item_id", "=odoo_template_id")
    readonly_fields = [f.name for f in OdooProductLink._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False  # links are written by the sync only
